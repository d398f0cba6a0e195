export A='1'
export B='it'\''s'
