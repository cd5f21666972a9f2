"""Onboarding checklists (tenant schema). Models arrive with the checklist work."""
