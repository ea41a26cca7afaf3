"""Connecting a person to the desk: referral slips, consents, re-consultation, households."""
