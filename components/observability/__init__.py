"""What operators see: alarms, the dashboard, probes and access logs."""
