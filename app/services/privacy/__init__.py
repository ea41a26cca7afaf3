"""Personal data: masking per viewer at every door, and the audited privacy switches."""
