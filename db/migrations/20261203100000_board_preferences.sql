-- migrate:up
-- Each user's board remembers its layout (cards or table; '' lets the screen's width decide)
-- and the ward (ubicación) it shows. Neither is part of who the user is: users.version, which
-- every request's principal is checked against, does not change with them.
ALTER TABLE users
    ADD COLUMN board_view text NOT NULL DEFAULT '' CHECK (board_view IN ('', 'tarjetas', 'tabla')),
    ADD COLUMN board_ward text NOT NULL DEFAULT '' CHECK (char_length(board_ward) <= 40);

-- migrate:down
ALTER TABLE users DROP COLUMN board_ward, DROP COLUMN board_view;
