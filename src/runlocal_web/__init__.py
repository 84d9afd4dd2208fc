"""The runlocal website: a Django project over the runlocal engine and catalog."""
