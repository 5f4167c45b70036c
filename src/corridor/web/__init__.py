"""The targeting workbench: server-rendered pages (Jinja2 + htmx), Leaflet maps, i18n catalogues."""
