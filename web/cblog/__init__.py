"""cblog: the Django project (settings, URLs and the apps under this package)."""

import pymysql

# Django's MySQL backend speaks through the MySQLdb interface; PyMySQL provides it in pure Python.
pymysql.install_as_MySQLdb()
