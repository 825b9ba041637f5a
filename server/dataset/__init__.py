"""Blueprint `dataset`: /void and /.well-known/void, /dumps/, /validate.

The dataset described (VoID + DCAT, :mod:`kg.publish.void`), the dumps `kg dump` wrote, and SHACL
validation as a service (:mod:`kg.checks.validate`), each in its own module.
"""

from flask import Blueprint

bp = Blueprint("dataset", __name__, template_folder="../templates")

from server.dataset import dumps, validation, void  # noqa: E402,F401  (registers the views)
