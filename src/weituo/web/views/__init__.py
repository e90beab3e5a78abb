"""Views of the web app, thin over the selectors and services (see ``weituo.web.shell.page``)."""
