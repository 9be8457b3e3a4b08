"""Survey at national scale: a shared job queue on Redis (pemda runs, their units, monitor shards),
workers that all crawl the units of any pemda, per-IP politeness across workers."""
