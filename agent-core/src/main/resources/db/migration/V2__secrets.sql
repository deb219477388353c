-- Named secrets, encrypted at rest with AES-256-GCM by the process that sets them (the database
-- never sees a value). Each value has its own random 12-byte nonce, and the secret's name is the
-- cipher's associated data, so a ciphertext copied to another name does not decrypt.
CREATE TABLE secrets (
    name       VARCHAR(200)             NOT NULL PRIMARY KEY,
    nonce      VARCHAR(32)              NOT NULL, -- base64 of the 12-byte GCM nonce
    ciphertext VARCHAR(200000)          NOT NULL, -- base64 of the ciphertext with its 16-byte tag
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
