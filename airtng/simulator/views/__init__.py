"""The phone simulator's page, its polls, and the phone's moves."""
