"""Tests of the OVH API simulator."""
