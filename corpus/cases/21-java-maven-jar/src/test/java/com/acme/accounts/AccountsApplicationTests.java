package com.acme.accounts;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
class AccountsApplicationTests {
    @Test
    void contextLoads() {
    }
}
