"""Operations: structured logs with redaction, request ids, health, Prometheus metrics, data retention."""
