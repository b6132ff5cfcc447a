// Writes hometel.schema.json, the JSON Schema of hometel's config file, from src/app/config/schema.ts, so editors
// complete and check hometel.json. Run after changing the schema: npm run schema (a unit test compares the two).
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';
import { fileSchemaJson } from '../src/app/config/schema.js';

writeFileSync(new URL('../hometel.schema.json', import.meta.url), fileSchemaJson());
