"""Operations: Prometheus metrics, the database collector, health checks, traces and structured logs."""
