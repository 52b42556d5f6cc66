"""SMS notices to petitioners (短信告知): an outbox in the database and a pluggable sender. No outside service is
built in; the default sender writes each message to the application log."""
