import flask

print("ok", flask.__name__)
