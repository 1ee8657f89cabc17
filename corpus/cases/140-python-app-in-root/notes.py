from flask import Flask, render_template, request

app = Flask(__name__)
NOTES = []

@app.get("/")
def index():
    return render_template("list.html", notes=NOTES)

@app.post("/notes")
def add():
    NOTES.append(request.get_data(as_text=True))
    return "ok\n", 201

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
