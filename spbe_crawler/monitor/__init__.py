"""Availability monitoring: httpx probes, sweeps, incidents, schedules, figures, alerts, retention."""
