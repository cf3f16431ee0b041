# Expands template.yaml with aws-sam-translator as `sam deploy` would, for the packaging test. Prints JSON.
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class Loader:
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1]).read())
fn = template['Resources']['MacroFunction']['Properties']
fn['CodeUri'] = 's3://bucket/composex-dynamodb.zip'
print(json.dumps(transform(template, {}, Loader())))
