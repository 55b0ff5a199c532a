#!/usr/bin/env bash
# The seed skill's (jwt-debug, /work/shared/seeds) steps as written: bash + aws-cli + jq + curl,
# one process per call, every step run in order against the same world (AWS_ENDPOINT_URL at
# moto, CURL_CA_BUNDLE trusting the loopback issuer). Each step prints "CHECK ok|fail <name>":
# ok = the command succeeded and printed an answer (a mismatch found is an answer). TOKEN and ENV come from the environment.
set -u
ENV="${ENV:-dev}"
step() { # name, command string
  local out
  if out=$(bash -c "$2" 2>&1) && [ -n "$out" ]; then echo "CHECK ok $1"; else echo "CHECK fail $1"; fi
}
export TOKEN ENV

# Step 2: token inspection
step decode-header 'echo "$TOKEN" | jq -R '"'"'split(".") | .[0] | @base64d | fromjson'"'"''
step decode-payload 'echo "$TOKEN" | jq -R '"'"'split(".") | .[1] | @base64d | fromjson'"'"''
step expiry 'EXP=$(echo "$TOKEN" | jq -R '"'"'split(".") | .[1] | @base64d | fromjson'"'"' | jq -r '"'"'.exp'"'"'); NOW=$(date +%s); REMAINING=$((EXP - NOW)); echo $REMAINING'
step issuer-match 'E=$(aws ssm get-parameter --name "/opencode/$ENV/oidc/issuer" --query "Parameter.Value" --output text) && T=$(echo "$TOKEN" | jq -R '"'"'split(".") | .[1] | @base64d | fromjson'"'"' | jq -r .iss) && { [ "$E" = "$T" ] && echo match || echo "mismatch: $T, expected $E"; }'
step audience-match 'E=$(aws ssm get-parameter --name "/opencode/$ENV/oidc/cli-client-id" --query "Parameter.Value" --output text) && T=$(echo "$TOKEN" | jq -R '"'"'split(".") | .[1] | @base64d | fromjson'"'"' | jq -r .aud) && { [ "$E" = "$T" ] && echo match || echo "mismatch: $T, expected $E"; }'

# Step 3: JWKS
step jwks-reachable 'JWKS_URL=$(aws ssm get-parameter --name "/opencode/$ENV/oidc/jwks-url" --query '"'"'Parameter.Value'"'"' --output text) && curl -sf "$JWKS_URL" | jq '"'"'.keys | length'"'"''
step jwks-kid 'JWKS_URL=$(aws ssm get-parameter --name "/opencode/$ENV/oidc/jwks-url" --query '"'"'Parameter.Value'"'"' --output text) && KID=$(echo "$TOKEN" | jq -R '"'"'split(".") | .[0] | @base64d | fromjson'"'"' | jq -r .kid) && curl -sf "$JWKS_URL" | jq -e --arg k "$KID" '"'"'[.keys[].kid] | index($k) != null'"'"''

# Step 4: ALB rules
step alb-rules 'LISTENER_ARN=$(aws ssm get-parameter --name "/opencode/$ENV/alb/jwt/listener-arn" --query '"'"'Parameter.Value'"'"' --output text) && aws elbv2 describe-rules --listener-arn "$LISTENER_ARN" --query '"'"'Rules[*].[Priority,Conditions[0].Field,Actions[0].Type]'"'"' --output table'

# Step 5: API key
step router-logs-api-key 'aws logs tail "/ecs/bedrock-router-$ENV" --since 15m --filter-pattern "api-key"'
step api-keys-table 'aws ssm get-parameter --name "/opencode/$ENV/dynamodb/api-keys-table-name" --query '"'"'Parameter.Value'"'"' --output text'

# Step 6: SSM parameters
step ssm-oidc 'aws ssm get-parameters-by-path --path "/opencode/$ENV/oidc/" --query '"'"'Parameters[].{Name:Name,Value:Value}'"'"' --output table'

# Step 7: logs
step alb-logs 'aws logs tail "/aws/elb/opencode-jwt-$ENV" --since 30m'
step alb-401 'aws logs filter-log-events --log-group-name "/aws/elb/opencode-jwt-$ENV" --filter-pattern '"'"'" 401 "'"'"' --limit 10'
step router-logs 'aws logs tail "/ecs/bedrock-router-$ENV" --since 30m'
