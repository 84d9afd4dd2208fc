"""Operations: backup/restore, the 503 page, security headers, admin login throttling."""
