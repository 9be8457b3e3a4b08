"""The weekly survey of the monitor's schedule: ``spbe run --pemda SCOPE`` in a child process.

A child process because Scrapy's reactor cannot run inside the monitor's event loop (nor restart);
async so that shutting the monitor down terminates the survey, which then resumes next time.
"""

from __future__ import annotations

import asyncio
import sys


async def survey_subprocess(scope: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spbe_crawler",
        "run",
        "--pemda",
        scope,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await process.communicate()
    except asyncio.CancelledError:
        process.terminate()  # the survey stops cleanly and stays resumable
        await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"spbe run --pemda {scope} gagal ({process.returncode}): {stderr.decode(errors='replace')[-300:]}")
    return f"spbe run --pemda {scope} selesai"
