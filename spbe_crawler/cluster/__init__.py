"""Survey at national scale: a shared job queue on Redis (one job per pemda), workers, per-IP politeness across workers."""
