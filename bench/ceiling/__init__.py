"""The framework ceiling: Django answering one constant TwiML string, nothing else."""
