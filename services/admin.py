"""The admin of the services app: each sub-package registers its own classes."""

from services.applications import admin as applications_admin  # noqa: F401
from services.applications import admin_post_checks  # noqa: F401
from services.calendar import admin as calendar_admin  # noqa: F401
from services.catalogue import admin as catalogue_admin  # noqa: F401
from services.ratings import admin as ratings_admin  # noqa: F401
