import asyncio

print("relay")
