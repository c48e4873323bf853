"""Per-run TLS: a certificate authority and a server certificate issued for one run, placed
into the stack's `tls` nodes before they start, trusted by the run's clients.

- `issue`: the certificates (Python's `cryptography`, in process: no container, no key on a
  command line, a few milliseconds).
- `run_files`: written only inside the run's own folder (`<runs dir>/<run_id>/tls`, mode 0700,
  keys 0600); the CA's private key is never written anywhere.
- `client`: an `ssl.SSLContext` that trusts only the run's CA.
"""
