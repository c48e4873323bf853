"""The Docker backend: one labelled network per run, containers on it, ports on 127.0.0.1."""
