"""Training presets (`gymkit train --config NAME`), shipped as package data `gymkit.configs`."""
