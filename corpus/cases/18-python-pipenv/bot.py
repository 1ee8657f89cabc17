import os

from telegram.ext import ApplicationBuilder

app = ApplicationBuilder().token(os.environ["BOT_TOKEN"]).build()
app.run_polling()
