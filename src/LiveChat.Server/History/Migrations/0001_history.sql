-- The history of every conversation: one row per conversation (its latest known state, by version) and one per message
-- of either stream, keyed by conversation, stream and seq so that feeding the same message twice stores it once.

CREATE TABLE conversations (
    id                      text COLLATE "C" PRIMARY KEY,
    version                 bigint NOT NULL,
    queue                   text NOT NULL,
    status                  text NOT NULL,
    topic                   text,
    visitor_id              text NOT NULL,
    visitor_name            text NOT NULL,
    visitor_email           text,
    visitor_verified        boolean NOT NULL DEFAULT false,
    agent_id                text,
    agent_name              text,
    created_at              timestamptz NOT NULL,
    assigned_at             timestamptz,
    first_response_seconds  double precision,
    closed_at               timestamptz,
    closed_reason           text,
    rating                  smallint,
    last_seq                bigint NOT NULL DEFAULT 0
);

CREATE INDEX conversations_created ON conversations (created_at DESC, id);
CREATE INDEX conversations_queue ON conversations (queue, created_at DESC);
CREATE INDEX conversations_agent ON conversations (agent_id, created_at DESC);
CREATE INDEX conversations_visitor ON conversations (visitor_id);

-- stream: 0 for what the visitor sees, 1 for whispers and notes.
CREATE TABLE messages (
    conversation_id    text COLLATE "C" NOT NULL,
    stream             smallint NOT NULL,
    seq                bigint NOT NULL,
    kind               text NOT NULL,
    sender_role        text NOT NULL,
    sender_id          text NOT NULL,
    sender_name        text NOT NULL,
    body               text NOT NULL,
    sent_at            timestamptz NOT NULL,
    client_message_id  text NOT NULL,
    -- The body's words as the node splits them (ArchiveWords: runs of letters and digits, lowercased), so a search finds
    -- the same here as in memory, in any language and whatever the database's locale.
    words              text[] NOT NULL,
    PRIMARY KEY (conversation_id, stream, seq)
);

CREATE INDEX messages_words ON messages USING gin (words);
