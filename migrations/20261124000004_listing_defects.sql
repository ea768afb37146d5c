-- The objective condition checklist behind a listing's grade (상/중/하).
ALTER TABLE listing
    ADD COLUMN defects SET('writing', 'water_damage', 'torn_pages', 'missing_supplements')
        NOT NULL DEFAULT '' AFTER `condition`;
