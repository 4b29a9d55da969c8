"""Settings, split by concern. Every difference between environments is an environment
variable (see README's configuration table); with nothing set the embedded default applies:
SQLite, tasks run in process, local-memory cache."""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .customs import *  # noqa: F403
from .i18n import *  # noqa: F403
from .imports import *  # noqa: F403
from .logging import *  # noqa: F403
from .orders import *  # noqa: F403
from .security import *  # noqa: F403
from .uploads import *  # noqa: F403
