"""Usage metrics, health, NPS, QBR (tenant schema). Models arrive with the metrics work."""
