from django.db import migrations

# A signed treatment contract is a record of what patient and therapist agreed: the database
# itself refuses to change or delete it (an amendment is a new version).
FORWARD = """
CREATE FUNCTION ipt_refuse_signed_contract_change() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'A signed treatment contract cannot be changed; amend it instead.'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ipt_signed_contract_immutable
    BEFORE UPDATE OR DELETE ON ipt_treatmentcontract
    FOR EACH ROW EXECUTE FUNCTION ipt_refuse_signed_contract_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ipt_signed_contract_immutable ON ipt_treatmentcontract;
DROP FUNCTION IF EXISTS ipt_refuse_signed_contract_change();
"""


class Migration(migrations.Migration):
    dependencies = [("ipt", "0003_course_and_initial_phase")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
