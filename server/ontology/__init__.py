"""Blueprint `ontology`: /ontology (docs or OWL), /ontology/<Term>, /shapes, /shapes/<Name>.

Routes are in :mod:`server.ontology.routes`; the models they render in :mod:`.terms` and
:mod:`.shapes`, read from the store by :mod:`.graphs`.
"""

from flask import Blueprint

bp = Blueprint("ontology", __name__, template_folder="../templates")

from server.ontology import routes  # noqa: E402,F401  (registers the views on bp)
