import six
print("hello from app", six.__version__)
