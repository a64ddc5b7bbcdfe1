"""Thin parameterized report notebooks (薄报告笔记本), shipped as package data: they load records and display."""
