# Expands a SAM template with aws-sam-translator, as `sam deploy` would: prints the CloudFormation as JSON.
# A function's local CodeUri becomes an S3 location, since nothing is packaged here.
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """SAM looks managed policy names up in IAM; these templates use only AWS-managed names it knows."""

    def load(self):
        return {}


text = sys.stdin.read() if sys.argv[1] == '-' else open(sys.argv[1]).read()
template = yaml_parse(text)
for resource in template.get('Resources', {}).values():
    properties = resource.get('Properties') or {}
    if resource.get('Type') == 'AWS::Serverless::Function' and isinstance(properties.get('CodeUri'), str):
        properties['CodeUri'] = 's3://bucket/code.zip'
print(json.dumps(transform(template, {}, NoManagedPolicies())))
