"""Tests of the OVHcloud SMS (virtual number) integration."""
