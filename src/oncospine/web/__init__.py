"""The web application: server-rendered pages, the JSON API and the CDS Hooks service."""
