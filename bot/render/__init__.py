"""Pictures drawn with Pillow for both faces (no discord import): the roadmap card."""
