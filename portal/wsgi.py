import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# gunicorn runs no system check: a worker that could not open the stored personal data stops here.
from portal.core.encrypted_fields import stored_value_problems  # noqa: E402

if problems := stored_value_problems():
    raise ImproperlyConfigured(" ".join(problems))
