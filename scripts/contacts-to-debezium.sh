#!/usr/bin/env bash
# contacts-to-debezium.sh CONTACT_CSV PER_TS [TITLE]: a Debezium change
# stream on stdout, one update event ('op': 'u') per contact of a Contact.csv
# that bench/gen wrote, in file order. PER_TS events share each source.ts_ms
# (ties are what a stream position must get right). With TITLE, each
# contact's Title becomes "TITLE <row number>" (a change a target shows);
# without it the row is the file's. Used by make bench and the sync and
# kill-matrix scenarios; needs sqlite3 (its JSON functions).
set -euo pipefail
csv=$1
per_ts=$2
title=${3:-}
case $per_ts in '' | *[!0-9]* | 0) echo "PER_TS must be a positive number" >&2 && exit 2 ;; esac
if [ -n "$title" ]; then
	title_sql="'$(printf '%s' "$title" | sed "s/'/''/g") ' || rowid"
else
	title_sql=Title
fi
sqlite3 :memory: ".import --csv '$csv' c" \
	"select json_object('op', 'u', 'before', null,
	  'source', json_object('table', 'Contact', 'ts_ms', 1700000000000 + rowid / $per_ts),
	  'after', json_object('Id', Id, 'AccountId', AccountId, 'FirstName', FirstName, 'LastName', LastName,
	  'Email', Email, 'Phone', Phone, 'Birthdate', Birthdate, 'MailingCity', MailingCity,
	  'HasOptedOutOfEmail', HasOptedOutOfEmail, 'CreatedDate', CreatedDate, 'LastModifiedDate', LastModifiedDate,
	  'Title', $title_sql, 'MobilePhone', MobilePhone, 'MailingStreet', MailingStreet,
	  'MailingState', MailingState, 'MailingPostalCode', MailingPostalCode, 'DoNotCall', DoNotCall,
	  'LeadSource', LeadSource, 'OwnerId', OwnerId, 'Consent_Source__c', Consent_Source__c,
	  'Consent_Timestamp__c', Consent_Timestamp__c, 'IsDeleted', IsDeleted)) from c"
