# Image for docker-compose.yml (users' stack). The code runs from /app; pip installs the
# pinned dependencies declared in pyproject.toml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["gunicorn", "marketplace.wsgi", "-b", "0.0.0.0:8000"]
