"""Trained models shipped with yingshang_ie (installed as the yingshang_ie.models package)."""
