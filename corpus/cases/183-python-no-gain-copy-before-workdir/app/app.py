import flask

print("hi")
