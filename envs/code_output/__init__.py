"""Predict what a generated Python program prints (see README.md)."""
from .env import CodeOutputEnv

__all__ = ["CodeOutputEnv"]
