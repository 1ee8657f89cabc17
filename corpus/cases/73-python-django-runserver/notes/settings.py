SECRET_KEY = "corpus-case-only"
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "notes.urls"
INSTALLED_APPS = []
DATABASES = {}
