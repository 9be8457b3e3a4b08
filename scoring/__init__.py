"""Pure assessment logic: frameworks and rubrics as data, estimator, aggregation, review, worksheet.

Nothing here imports scrapy, httpx or the store: every function works on plain data, so the
store glue (``spbe_crawler.assessment``) and the CLI stay thin.
"""
