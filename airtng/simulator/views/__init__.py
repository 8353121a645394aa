"""The phone simulator's page, its polls, the phone's moves, and signing for it."""
